"""The offline coach's answers, one module per kind of question (`coaching.replies` picks one
by intent and lays it out). Each answers directly first, then at most three supporting facts
in plain words, then one concrete next step (`coaching.answers.shared.Answer`)."""
