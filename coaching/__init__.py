"""The coaching domain: analytics computed from what a climber logged, the safety rules,
what a message asks (intent), and the offline coach. Pure: no I/O and no clock ("today" is
passed in); `context/` reads the store and hands the records in."""
