"""Configuration of the gateway and of the local stack, read from the environment;
the variables the action server reads too are defined once, in ``SharedSettings``."""

from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.redisurl import RedisUrlError, parse

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
MIN_SECRET_CHARS = 16
MIN_CUSTOMER_TOKEN_SECRET_CHARS = 32  # HS256 keys: at least the hash's 256 bits
TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts
# Where ENVIRONMENT=development may listen: its cookies lack Secure and any localhost
# page may open the widget, so it must not be reachable from other machines.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def read_or_create_secret(path: Path) -> str:
    """A random secret kept in ``path`` (created on first use, mode 0600).

    The file is written under a temporary name that only its owner can read
    (created with mode 0600, never wider) and then linked to ``path`` in one step,
    so no reader sees it empty or half written; of processes racing to create it,
    the first link wins and the others read its value.
    """
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(value)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)  # an atomic rename that never replaces
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
    finally:
        temporary.unlink(missing_ok=True)
    return value


class SharedSettings(BaseSettings):
    """The variables the gateway and the action server both read: one definition of
    each (name, default, parsing), inherited by ``Settings`` here and by the action
    server's ``ActionSettings`` (actions/settings.py)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    # One Redis (redis://, rediss://), a Sentinel-watched master
    # (redis+sentinel://...) or a Redis Cluster (redis+cluster://...); the forms
    # are in bot/redisurl.py.
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Prefix of every key this deployment writes (letters and digits only: Rasa's
    # Redis stores accept nothing else).
    redis_prefix: str = "es"
    # Where Rasa and the action server listen when they run on this machine
    # (loopback unless the host says otherwise: a private-network address when they
    # serve other machines, docs/deploy.md) ...
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_host: str = "127.0.0.1"
    actions_port: int = 5055
    # ... and where the others reach them: RASA_URL (read by the gateway and the
    # action server) and ACTIONS_URL (the gateway and Rasa, through endpoints.yml).
    # Empty: this machine, http://127.0.0.1:<RASA_PORT> / <ACTIONS_PORT>.
    rasa_url_setting: str = Field(default="", validation_alias="rasa_url")
    actions_url_setting: str = Field(default="", validation_alias="actions_url")
    # Rasa's HTTP API token (the gateway generates one into var/ when unset and
    # passes it on to the others; bot/ops/services.py).
    rasa_token: str = ""
    # Transcripts (and conversation records) are kept this long after the last
    # message (bot/transcript.py); docs/reliability.md, "Retention".
    retention_days: int = Field(default=90, ge=1, le=3650)
    # Python's level names (DEBUG, INFO, WARNING, ERROR, CRITICAL), any case.
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _shared(self) -> SharedSettings:
        if not self.redis_prefix.isalnum():
            raise ValueError("REDIS_PREFIX must contain only letters and digits")
        try:
            parse(self.redis_url)
        except RedisUrlError as error:
            raise ValueError(str(error)) from None
        for name in ("rasa_url", "actions_url"):
            value = getattr(self, f"{name}_setting").strip()
            # RASA_URL may list several Rasa servers (the gateway spreads over them)
            urls = [u.strip().rstrip("/") for u in value.split(",")] if value else []
            several = name == "rasa_url"
            for url in urls:
                if not service_url(url) or (len(urls) > 1 and not several):
                    raise ValueError(
                        f"{name.upper()} must be an http:// or https:// URL with a "
                        "host and no path, e.g. http://10.0.0.5:5055"
                        + (", or several, comma-separated" if several else ", one")
                        + f" (got {value!r})"
                    )
            setattr(self, f"{name}_setting", ",".join(urls))
        self.log_level = self.log_level.upper()
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        return self

    @property
    def rasa_urls(self) -> list[str]:
        """Base URLs of the Rasa servers: RASA_URL (comma-separated), or this
        machine's RASA_PORT."""
        if self.rasa_url_setting:
            return self.rasa_url_setting.split(",")
        return [f"http://127.0.0.1:{self.rasa_port}"]

    @property
    def rasa_url(self) -> str:
        """Base URL of the (first) Rasa server."""
        return self.rasa_urls[0]

    @property
    def actions_url(self) -> str:
        """Base URL of the action server: ACTIONS_URL, or this machine's
        ACTIONS_PORT."""
        return self.actions_url_setting or f"http://127.0.0.1:{self.actions_port}"

    @property
    def retention_s(self) -> int:
        """RETENTION_DAYS in seconds."""
        return self.retention_days * 24 * 3600


def service_url(value: str) -> bool:
    """Whether ``value`` is a base URL of a service: http(s), a host, no path."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and not parts.username
    )


def problems(error: ValidationError) -> list[str]:
    """What is wrong with the settings, one line each, naming the variable."""
    lines = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        names = "_".join(str(part) for part in item["loc"]).upper()
        lines.append(f"{names}: {message}" if names else message)
    return lines


class Settings(SharedSettings):
    """Everything configurable in the gateway and the local stack, from environment
    variables of the same name."""

    # "production" unless set; "development" (opt-in, loopback only) relaxes the
    # cookies (no Secure, no __Host- prefix), lets any localhost page open the
    # widget and serves the API docs (/docs, /redoc, /openapi.json).
    environment: str = "production"
    # The gateway's Redis connections for commands, shared by every widget, chat and
    # console of the process: a command waits for a free one (bot/app.py). The
    # live channel's subscription and the event stream's blocking read have their own.
    redis_max_connections: int = Field(default=50, ge=2, le=10000)
    gateway_port: int = 8000
    gateway_host: str = "127.0.0.1"
    # Signs sessions and keys the hashes of client addresses; when unset, a random
    # one generated into var/secret_key (kept across restarts).
    secret_key: str = ""
    # Shared with the shop, which signs customer tokens with it (bot/identity.py):
    # its page vouches for a signed-in customer. Empty: no token is accepted.
    customer_token_secret: str = ""
    # One request to Rasa, once it has its turn; a message waits for its turn in
    # the gateway's line (bot/upstream_line.py): RASA_IN_FLIGHT requests per Rasa
    # server at once, the rest in order, for RASA_QUEUE_SECONDS at most while Rasa
    # keeps answering (when it answers nothing for RASA_TIMEOUT_SECONDS, the
    # waiting ones get the apology and a person at once).
    rasa_timeout_seconds: float = 10.0
    rasa_in_flight: int = Field(default=4, ge=1, le=1000)
    rasa_queue_seconds: float = Field(default=30.0, ge=0, le=3600)
    # Keep connections to Rasa open between requests: off, since a kept connection
    # stays with the Sanic worker that accepted it, and a burst of new ones is often
    # all accepted by one (docs/benchmarks.md, "Ten customers").
    rasa_keepalive: bool = False
    max_message_chars: int = 4000
    tracker_ttl_seconds: int = 0  # Rasa's trackers; 0: as long as RETENTION_DAYS
    # Rasa server processes (Sanic workers sharing the Redis lock store); one is CPU
    # bound under load, two use both cores of a small machine (docs/benchmarks.md).
    rasa_workers: int = Field(default=2, ge=1, le=16)
    # How many action servers, Rasa servers and gateways ``make run`` starts (the
    # n-th on each port + n - 1; bot/ops/stack.py); 1, one of each, by default.
    stack_replicas: int = Field(default=1, ge=1, le=4)
    # ``make run`` restarts a service that exits (bot/ops/supervisor.py), and
    # gives up (stops everything, exit 1) when one crashed this many times within
    # this many seconds; docs/reliability.md, "Under make run".
    restart_max_crashes: int = Field(default=5, ge=1, le=1000)
    restart_window_seconds: int = Field(default=300, ge=1)
    # Agent console (bot/console).
    console_session_idle_seconds: int = 8 * 3600  # signed out after this long idle
    console_session_max_seconds: int = 12 * 3600  # and after this long in any case
    console_max_failures: int = 5  # failed logins per account within the window...
    console_max_failures_ip: int = 20  # ...or per client address, then locked out
    console_lockout_window_seconds: int = 15 * 60
    console_origins: str = ""  # extra allowed Origins (comma-separated), e.g. a proxy
    metrics_token: str = ""  # bearer token for Prometheus /metrics (else supervisors)
    # The weekly and monthly reports by e-mail (bot/report_mail.py): off unless both.
    smtp_url: str = ""  # smtp://[user:password@]host[:port], smtps://, smtp+starttls://
    report_emails: str = ""  # the supervisors' addresses, comma-separated
    report_from: str = "support-reports@localhost"
    # Telegram (bot/telegram.py): off without a token; docs/telegram.md.
    telegram_token: str = ""  # from BotFather
    telegram_mode: str = "webhook"  # webhook | polling (development)
    telegram_secret_token: str = ""  # the webhook's X-Telegram-Bot-Api-Secret-Token
    telegram_webhook_url: str = ""  # when set, setWebhook to it at start-up
    telegram_api_url: str = "https://api.telegram.org/bot"  # tests: a fake on loopback
    # Who may open the widget's WebSocket (bot/web.py): Origins of the shops that
    # embed it, comma-separated (``https://shop.example``, ``https://*.shop.example``,
    # or ``*`` for any). The gateway's own origin is always allowed, and in
    # development also http(s)://localhost, 127.0.0.1 and [::1] on any port.
    allowed_origins: str = ""
    # Customer messages per minute, counted in Redis across connections and gateway
    # processes (bot/ratelimit.py): per widget/API session, per client address (not
    # for the addresses in RATE_IP_EXEMPT, none by default; the benchmarks exempt
    # this machine), per Telegram chat.
    rate_session_per_minute: int = Field(default=60, ge=1)
    rate_ip_per_minute: int = Field(default=300, ge=1)
    rate_ip_exempt: str = ""
    # Proxies whose X-Forwarded-For uvicorn trusts for the client address
    # (uvicorn's own variable; empty: its default, 127.0.0.1,::1). When set, a request
    # from one of them without the header is logged (bot/proxy.py).
    forwarded_allow_ips: str = ""
    rate_telegram_chat_per_minute: int = Field(default=30, ge=1)
    # Anonymous sessions and the queue (bot/ratelimit.py, bot/widget_limits.py): new
    # widget or API sessions per client address per hour, open tickets (queued or with
    # a person) per client address, and open widget sockets per session and per
    # address (in each gateway process). An IPv6 address counts by its /64 network.
    rate_ip_sessions_per_hour: int = Field(default=60, ge=1)
    open_tickets_per_ip: int = Field(default=5, ge=1)
    widget_sockets_per_session: int = Field(default=8, ge=1)
    widget_sockets_per_ip: int = Field(default=100, ge=1)
    # A widget session is refused (the widget starts a new one) after this long
    # without a customer message: the next visitor of a shared computer does not
    # see the previous customer's chat.
    session_idle_seconds: int = Field(default=24 * 3600, ge=60)

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        if not self.secret_key:
            self.secret_key = read_or_create_secret(VAR / "secret_key")
        if len(self.secret_key) < MIN_SECRET_CHARS:
            raise ValueError(
                f"SECRET_KEY must have at least {MIN_SECRET_CHARS} characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'), "
                "or leave it unset to use one generated into var/secret_key"
            )
        shared = self.customer_token_secret
        if shared and len(shared) < MIN_CUSTOMER_TOKEN_SECRET_CHARS:
            raise ValueError(
                "CUSTOMER_TOKEN_SECRET must have at least "
                f"{MIN_CUSTOMER_TOKEN_SECRET_CHARS} characters (the shop signs "
                "customer tokens with it; e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'), or leave it unset to accept no "
                "customer tokens"
            )
        return self

    @model_validator(mode="after")
    def _development_on_loopback(self) -> Settings:
        host = self.gateway_host.strip("[]").lower()
        if self.development and host not in LOOPBACK_HOSTS:
            raise ValueError(
                f"ENVIRONMENT=development relaxes cookies and origin checks and must "
                f"not be reachable from other machines, but GATEWAY_HOST={host}. "
                "Bind to 127.0.0.1 (or ::1, localhost), or unset ENVIRONMENT "
                "(production)."
            )
        return self

    @model_validator(mode="after")
    def _telegram(self) -> Settings:
        if self.telegram_mode not in ("webhook", "polling"):
            raise ValueError("TELEGRAM_MODE must be webhook or polling")
        secret = self.telegram_secret_token
        if secret and not TELEGRAM_SECRET.match(secret):
            raise ValueError("TELEGRAM_SECRET_TOKEN: 1-256 of A-Z a-z 0-9 _ -")
        if self.telegram_token and self.telegram_mode == "webhook" and not secret:
            raise ValueError(
                "TELEGRAM_SECRET_TOKEN must be set for TELEGRAM_MODE=webhook "
                "(or use TELEGRAM_MODE=polling in development)"
            )
        return self

    @property
    def origins(self) -> list[str]:
        """ALLOWED_ORIGINS as a list (without trailing slashes)."""
        parts = self.allowed_origins.split(",")
        return [o.strip().rstrip("/") for o in parts if o.strip()]

    @property
    def console_extra_origins(self) -> frozenset[str]:
        """CONSOLE_ORIGINS as a set (without trailing slashes; empty when unset)."""
        parts = (o.strip().rstrip("/") for o in self.console_origins.split(","))
        return frozenset(o for o in parts if o)

    @property
    def rate_exempt_ips(self) -> frozenset[str]:
        """RATE_IP_EXEMPT as a set of addresses."""
        return frozenset(a.strip() for a in self.rate_ip_exempt.split(",") if a.strip())

    @property
    def development(self) -> bool:
        """Whether ENVIRONMENT=development (opted into; the default is production)."""
        return self.environment == "development"

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS, everywhere but in development."""
        return not self.development

    def rasa_api_token(self) -> str:
        """Rasa's HTTP API token: RASA_TOKEN, or one generated into var/."""
        return self.rasa_token or read_or_create_secret(VAR / "rasa_token")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()
