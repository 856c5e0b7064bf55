"""Reading a model URL's query options, with errors that say which option is wrong."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit


class ModelURLError(ValueError):
    """A model URL (`V7_MODEL`, a tier's model) is malformed or names an unknown scheme. Raised
    when models are opened at startup, never during a turn."""


class ModelURL:
    """A parsed `scheme://target?option=value&…` model URL.

    `target` is everything between `://` and `?`, percent-decoded and otherwise untouched
    (Bedrock model ids contain `:` and inference-profile ARNs contain `/`). Each option may
    appear once; every option must be read, so a misspelt one is reported by `check_all_read`.
    """

    def __init__(self, url: str) -> None:
        scheme, sep, rest = url.partition("://")
        if not sep or not scheme:
            raise ModelURLError("a model URL looks like scheme://…")
        self.scheme = scheme.lower()
        target, _, query = rest.partition("?")
        self.target = unquote(target)
        parts = urlsplit(f"x://{target}")
        self.netloc = parts.netloc
        self.path = parts.path
        self._options: dict[str, str] = {}
        for key, values in parse_qs(query, keep_blank_values=True).items():
            if len(values) != 1:
                raise ModelURLError(f"{self.scheme}:// option {key!r} is given more than once")
            self._options[key] = values[0]
        self._read: set[str] = set()

    def text(self, key: str, default: str) -> str:
        self._read.add(key)
        return self._options.get(key, default)

    def optional(self, key: str) -> str | None:
        self._read.add(key)
        return self._options.get(key)

    def integer(self, key: str, default: int, *, minimum: int = 0) -> int:
        raw = self.text(key, str(default))
        try:
            value = int(raw)
        except ValueError:
            raise ModelURLError(f"{self.scheme}:// option {key} must be an integer") from None
        if value < minimum:
            raise ModelURLError(f"{self.scheme}:// option {key} must be at least {minimum}")
        return value

    def number(self, key: str, default: float, *, minimum: float = 0.0) -> float:
        raw = self.text(key, str(default))
        try:
            value = float(raw)
        except ValueError:
            raise ModelURLError(f"{self.scheme}:// option {key} must be a number") from None
        if not value >= minimum:  # also refuses NaN
            raise ModelURLError(f"{self.scheme}:// option {key} must be at least {minimum}")
        return value

    def refuse_target(self) -> None:
        """Raise `ModelURLError` if the URL has a target: for schemes that take options only
        (`analyst://?words_per_s=40`), where a target would otherwise be silently ignored."""
        if self.target:
            raise ModelURLError(
                f"{self.scheme}:// takes options only ({self.scheme}://?name=value), "
                f"not {self.target!r}"
            )

    def check_all_read(self) -> None:
        """Raise `ModelURLError` naming any option no provider option read."""
        unknown = sorted(set(self._options) - self._read)
        if unknown:
            raise ModelURLError(f"{self.scheme}:// does not know option(s) {', '.join(unknown)}")
