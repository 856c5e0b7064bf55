"""The one typed settings object, built once from `V7_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="V7_", extra="ignore", frozen=True)

    data_dir: Path = Field(default=Path("data"), description="Where embedded parts keep files.")
    store_url: str = Field(
        default="",
        description="sqlite:///PATH or dynamodb://TABLE?region=…&endpoint_url=…; "
        "empty means sqlite under data_dir.",
    )
    redis_url: str = Field(default="embedded://", description="embedded://, redis:// or rediss://")
    model: str = Field(default="analyst://", description="analyst://, bedrock://, openai://, …")
    auth: Literal["local", "cognito"] = "local"
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Comma-separated exact origins allowed to open the WebSocket.",
    )
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def resolved_store_url(self) -> str:
        return self.store_url or f"sqlite:///{self.data_dir / 'v7.db'}"
