"""Sign-in for the dashboard: Flask-Login sessions and a guard on every route.

``install`` adds to the Dash app's Flask server:

- ``/login`` (a small server-side form with Flask-WTF's CSRF token, throttled by
  Flask-Limiter per IP and per e-mail) and ``/logout``;
- a ``before_request`` guard: only the allow-list below is served without a
  session; Dash's XHR routes get 401 JSON, pages a redirect to ``/login``;
- a user loader that re-reads the user and builds the access scope from the
  database on every request, so disabling a user or changing a password ends
  their sessions at once.

Passwords and lockout rules live in ``models.users`` (shared with the CLI).
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from dash import Dash
from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from dashboard import access, database
from models import tables as t
from models import users
from models.config import ProgrammeConfig, resolve_path

SECRET_KEY_ENV = "PILOTPULS_SECRET_KEY"
SECRET_KEY_FILE = "data/secrets/flask.key"
_EXTENSION = "pilotpuls_auth"

# served without a session: the sign-in page and what it and Dash need to load
PUBLIC_PATHS = frozenset({"/login", "/logout", "/_favicon.ico"})
PUBLIC_PREFIXES = ("/_dash-component-suites/",)
PUBLIC_ASSET_SUFFIXES = (
    ".css",
    ".js",
    ".woff",
    ".woff2",
    ".ttf",
    ".png",
    ".svg",
    ".ico",
)

TEXTS = {
    "sv": {
        "title": "Logga in",
        "email": "E-postadress",
        "password": "Lösenord",
        "submit": "Logga in",
        "failed": "Inloggningen misslyckades. Kontrollera e-postadress och lösenord."
        " Efter många felaktiga försök spärras inloggningen en stund.",
        "throttled": "För många inloggningsförsök. Vänta en minut och försök igen.",
        "expired_form": "Formuläret hade gått ut. Försök igen.",
        "signed_out": "Du är utloggad.",
    },
    "en": {
        "title": "Sign in",
        "email": "E-mail address",
        "password": "Password",
        "submit": "Sign in",
        "failed": "Sign-in failed. Check the e-mail address and password."
        " After many wrong attempts, sign-in is blocked for a while.",
        "throttled": "Too many sign-in attempts. Wait a minute and try again.",
        "expired_form": "The form had expired. Please try again.",
        "signed_out": "You are signed out.",
    },
}


@dataclass(frozen=True)
class AuthSettings:
    """Session and sign-in settings; ``from_env`` reads the deployment's choices."""

    session_lifetime: timedelta = timedelta(minutes=30)
    # None: Secure cookies exactly when the request came over https
    secure_cookies: bool | None = None
    login_rate: str = "5 per minute"
    lockout: users.LockoutPolicy = field(default_factory=users.LockoutPolicy)
    behind_proxy: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> AuthSettings:
        minutes = int(environ.get("PILOTPULS_SESSION_MINUTES", "30"))
        return cls(
            session_lifetime=timedelta(minutes=minutes),
            secure_cookies=_flag(environ.get("PILOTPULS_SECURE_COOKIES", "auto")),
            behind_proxy=_flag(environ.get("PILOTPULS_BEHIND_PROXY", "0")) is True,
        )


def _flag(value: str) -> bool | None:
    value = value.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return None


def secret_key(config: ProgrammeConfig) -> str:
    """``$PILOTPULS_SECRET_KEY``, else a key file made once next to the config."""
    if os.environ.get(SECRET_KEY_ENV):
        return os.environ[SECRET_KEY_ENV]
    path = resolve_path(config, SECRET_KEY_FILE)
    if not path.exists():
        _create_key_file(path)
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to make a new key")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(secrets.token_hex(32))
    # link, not rename: when two workers start at once, the first key wins
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


class SignedInUser(UserMixin):
    """Flask-Login's user: the scope read from the database for this request."""

    def __init__(self, scope: access.Scope, stamp: str):
        self.scope = scope
        self._stamp = stamp

    def get_id(self) -> str:
        # the stamp changes with the password, so a new password ends old sessions
        return f"{self.scope.user_id}:{self._stamp}"


class LoginForm(FlaskForm):
    email = StringField(validators=[InputRequired(), Length(max=254)])
    password = PasswordField(validators=[InputRequired(), Length(max=1024)])


class _SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure when configured or served over https."""

    def __init__(self, secure: bool | None):
        self.secure = secure

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure if self.secure is None else self.secure


def install(app: Dash, config: ProgrammeConfig, settings: AuthSettings) -> None:
    server = app.server
    if settings.behind_proxy:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=1)
    server.secret_key = secret_key(config)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=settings.session_lifetime,
        # each request restarts the inactivity clock
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    server.session_interface = _SessionCookies(settings.secure_cookies)
    server.extensions[_EXTENSION] = {
        "settings": settings,
        "texts": TEXTS[config.language],
        "language": config.language,
        "programme_name": config.programme_name,
        "css_url": app.get_asset_url(_bootstrap_css(app.config.assets_folder)),
        "dash_app": app,
    }
    login_manager = LoginManager(server)
    login_manager.user_loader(_load_user)
    # counted per worker process; the lockout in the database is the shared limit
    limiter = Limiter(get_remote_address, app=server, storage_uri="memory://")
    server.register_blueprint(_blueprint(limiter, settings))
    server.register_error_handler(429, _throttled)
    server.register_error_handler(Unauthorized, _refused)
    server.register_error_handler(Forbidden, _refused)
    server.before_request(_require_sign_in)


def _bootstrap_css(assets_folder: str) -> str:
    return sorted(Path(assets_folder).glob("*bootstrap*.css"))[-1].name


def _blueprint(limiter: Limiter, settings: AuthSettings) -> Blueprint:
    blueprint = Blueprint("auth", __name__, template_folder="templates")
    per_address = limiter.limit(settings.login_rate, methods=["POST"])
    per_email = limiter.limit(
        settings.login_rate, key_func=_attempted_email, methods=["POST"]
    )
    login = per_address(per_email(login_view))
    blueprint.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    blueprint.add_url_rule("/logout", "logout", logout_view)
    return blueprint


def _attempted_email() -> str:
    return "email:" + users.normalise_email(request.form.get("email", ""))


def _state() -> dict:
    return current_app.extensions[_EXTENSION]


# --- The guard --------------------------------------------------------------------


def is_public(path: str) -> bool:
    return (
        path in PUBLIC_PATHS
        or path.startswith(PUBLIC_PREFIXES)
        or (path.startswith("/assets/") and path.endswith(PUBLIC_ASSET_SUFFIXES))
    )


def is_xhr(path: str) -> bool:
    """Dash's own routes (``/_dash-layout``, ``/_dash-update-component`` …)."""
    return path.startswith("/_")


def _require_sign_in() -> Response | tuple[Response, int] | None:
    if is_public(request.path):
        return None
    if current_user.is_authenticated:
        return _start_page() or _refuse_callbacks_of_forbidden_pages()
    if "_user_id" in session:
        # disabled, deleted or a new password: this session is over for good
        session.clear()
    if is_xhr(request.path):
        return jsonify(error="not signed in"), 401
    return redirect(url_for("auth.login", next=_requested_path()))


def _start_page() -> Response | None:
    """A redirect from "/" to the user's first page when their role may not
    open the overview: a sign-in lands on "/", and a refusal is no welcome."""
    start = access.start_page_instead_of(request.path, current_user.scope)
    if start is None:
        return None
    query = request.query_string.decode("utf-8", "replace")
    return redirect(start + (f"?{query}" if query else ""))


def _refuse_callbacks_of_forbidden_pages() -> tuple[Response, int] | None:
    # a second line behind each callback's own scope check: a callback defined
    # in a page module runs only for roles that may open that page
    if request.path != "/_dash-update-component":
        return None
    body = request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    page = access.callback_page(_state()["dash_app"].callback_map, output)
    if page is None or current_user.scope.can_see_page(page):
        return None
    access.audit_denied(f"page {page}")
    return jsonify(error="forbidden"), 403


def _requested_path() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


def safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in cannot redirect anywhere else."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    unsafe = "\\" in target or any(ord(char) < 32 for char in target)
    if parts.scheme or parts.netloc or unsafe or parts.path in PUBLIC_PATHS:
        return "/"
    return target


def _refused(error: HTTPException) -> Response | tuple[Response, int]:
    if is_xhr(request.path):
        message = "not signed in" if error.code == 401 else "forbidden"
        return jsonify(error=message), error.code or 403
    return error.get_response()


# --- Users from the database ------------------------------------------------------


# built once: it runs on every request
_ACTIVE_USER = sa.select(t.User.email, t.User.role, t.User.password_hash).where(
    t.User.id == sa.bindparam("user_id"), t.User.active.is_(True)
)


def _load_user(user_token: str) -> SignedInUser | None:
    user_id, _, stamp = user_token.partition(":")
    if not user_id.isdigit():
        return None
    with database.read_session() as db:
        found = db.connection().execute(_ACTIVE_USER, {"user_id": int(user_id)})
        user = found.one_or_none()
        if user is None:
            return None
        if not hmac.compare_digest(stamp, users.session_stamp(user.password_hash)):
            return None
        scope = access.scope_for(db, int(user_id), user.email, user.role)
        return SignedInUser(scope, stamp)


def _sign_in(email: str, password: str) -> SignedInUser | None:
    settings: AuthSettings = _state()["settings"]
    with database.write_session() as db:
        user = users.authenticate(
            db, email, password, now=t.utcnow(), policy=settings.lockout
        )
        if user is None:
            return None
        scope = access.scope_for(db, user.id, user.email, user.role)
        return SignedInUser(scope, users.session_stamp(user.password_hash))


# --- Views ------------------------------------------------------------------------


def login_view() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")))
        message = "signed_out" if request.args.get("signed_out") else None
        return _page(LoginForm(), message, kind="success")
    form = LoginForm()
    if not form.validate():
        if "csrf_token" in form.errors:
            return _page(form, "expired_form", status=400)
        return _page(form, "failed")
    email = users.normalise_email(form.email.data or "")
    user = _sign_in(email, form.password.data or "")
    if user is None:
        access.audit("sign-in failed", f"e-mail {email[:254]}", actor=email[:254])
        return _page(form, "failed")
    session.clear()  # nothing from before the sign-in carries over
    login_user(user)
    session.permanent = True
    access.audit("sign-in")
    return redirect(safe_next(request.args.get("next")))


def logout_view() -> Response:
    if current_user.is_authenticated:
        access.audit("sign-out")
        logout_user()
    session.clear()
    return redirect(url_for("auth.login", signed_out=1))


def _throttled(_error: HTTPException) -> tuple[str, int]:
    email = users.normalise_email(request.form.get("email", ""))[:254]
    access.audit("sign-in throttled", f"e-mail {email}", actor=email)
    return _page(LoginForm(), "throttled", status=429)


def _page(
    form: LoginForm, message: str | None, *, kind: str = "danger", status: int = 200
) -> tuple[str, int]:
    state = _state()
    texts = state["texts"]
    html = render_template(
        "login.html",
        form=form,
        texts=texts,
        message=texts[message] if message else None,
        message_kind=kind,
        lang=state["language"],
        programme_name=state["programme_name"],
        css_url=state["css_url"],
    )
    return html, status
