"""Validated string types for every value of the desired state that may reach a shell.

Each type is a plain `str` checked against a whole-string pattern over a small ASCII
alphabet: no spaces, quotes, `;`, `$`, backticks or newlines can pass, so a value that
ends up in a command is harmless even before it is quoted. Error messages say what a
valid value looks like, for the one-line errors of `provision validate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

from pydantic import AfterValidator, Field

from provision.credentials import redact
from provision.cuda_layout import ACTIVE_CUDA_LINK

DRIVER_PATTERN = r"[0-9]{3}\.[0-9]{1,3}(\.[0-9]{1,3})?"
CUDA_VERSION_PATTERN = r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,3}"
CUDA_RELEASE_PATTERN = r"[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,3})?"
CUDA_MAJOR_PATTERN = r"[0-9]{1,2}"
CUDNN_PATTERN = r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,3}"
TORCH_PATTERN = r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}"
PYTHON_PATTERN = r"3\.[0-9]{1,2}(\.[0-9]{1,2})?"
VARIANT_PATTERN = r"cpu|cu[0-9]{3}"
ENV_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
USER_PATTERN = r"[a-z_][a-z0-9_-]{0,31}"
SHA256_PATTERN = r"[0-9a-f]{64}"
CHANNEL_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
PATH_PATTERN = r"(/[A-Za-z0-9._+-]+)+/?"
URL_PATTERN = r"(https?|file)://[A-Za-z0-9._~:/?#@!&+,=%\[\]-]+"

_SAFE_PATH_SEGMENT = re.compile(r"[A-Za-z0-9._+-]+")
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9._~:/?#@!&+,=%\[\]-]+")
_APT_OPTION = r"[a-z][a-z-]*=[A-Za-z0-9._/,+-]+"
_APT_TOKEN = r"[A-Za-z0-9._/+-]+"
_APT_LINE = re.compile(
    rf"deb \[{_APT_OPTION}(?: {_APT_OPTION})*\] (?P<url>\S+) {_APT_TOKEN}(?: {_APT_TOKEN})*"
    rf"|deb (?P<plain_url>\S+) {_APT_TOKEN}(?: {_APT_TOKEN})*"
)


def _pattern_check(pattern: str, describe: str) -> Callable[[str], str]:
    """A validator that accepts exactly the strings `pattern` matches as a whole."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not {describe}")
        return value

    return check


def _schema(pattern: str | None, example: str) -> Any:
    """Field metadata: strict strings, and the pattern and an example for `provision schema`."""
    extra: dict[str, Any] = {"examples": [example]}
    if pattern is not None:
        extra["pattern"] = f"^({pattern})$"
    return Field(strict=True, json_schema_extra=extra)


def _check_env_name(value: str) -> str:
    _pattern_check(ENV_NAME_PATTERN, "a conda env name of letters, digits and ._-")(value)
    if value == "base":
        raise ValueError("'base' is conda's own env; give the env another name")
    return value


SYSTEM_FOLDERS = frozenset(
    {
        "/usr/bin",
        "/usr/include",
        "/usr/lib",
        "/usr/lib32",
        "/usr/lib64",
        "/usr/libexec",
        "/usr/local",
        "/usr/local/bin",
        "/usr/local/etc",
        "/usr/local/include",
        "/usr/local/lib",
        "/usr/local/sbin",
        "/usr/local/share",
        "/usr/local/src",
        "/usr/sbin",
        "/usr/share",
        "/usr/src",
        "/var/cache",
        "/var/lib",
        "/var/log",
        "/var/tmp",
    }
)


INSTALL_ROOTS = ("/opt/", "/srv/", "/usr/local/", "/home/")
"""Where install folders go: each a folder of its own under one of these."""

USR_LOCAL_SYSTEM_FOLDERS = frozenset(
    {"bin", "etc", "games", "include", "lib", "lib64", "libexec", "man", "sbin", "share", "src"}
)

INSTALL_FOLDER_RULE = (
    "a folder of its own under /opt, /srv, /usr/local (not in its bin, lib, share... nor "
    "/usr/local/cuda, the active toolkit's link) or /home/USER, not hidden, and neither "
    "inside nor holding another install folder"
)
"""The rule of `_check_install_folder` and `check_separate_folders`, for field descriptions."""


def _check_install_folder(value: str) -> str:
    """Install paths are replaced or written into whole: a top-level folder (`/usr`,
    `/opt`, `/home`, any depth-1 path) or a system folder such as `/usr/local` never is
    one, nor is anything outside INSTALL_ROOTS (`/etc/ssh`, `/boot/grub`, `/root/.ssh`)."""
    normal = value.rstrip("/")
    if normal.count("/") < 2 or normal in SYSTEM_FOLDERS:
        raise ValueError(
            f"{value!r} is a top-level or system folder, which provision never installs "
            "into or replaces: name a folder of its own like /opt/libtorch"
        )
    problem = _install_folder_problem(normal)
    if problem is not None:
        raise ValueError(f"{value!r} {problem}: install folders go in {INSTALL_FOLDER_RULE}")
    return value


def _install_folder_problem(normal: str) -> str | None:
    parts = normal.split("/")[1:]
    if not any(f"{normal}/".startswith(root) for root in INSTALL_ROOTS):
        return "is outside the folders provision installs into"
    if normal == ACTIVE_CUDA_LINK:
        return "is the link to the active CUDA toolkit"
    if parts[:2] == ["usr", "local"] and parts[2] in USR_LOCAL_SYSTEM_FOLDERS:
        return f"is in the system folder /usr/local/{parts[2]}"
    if parts[0] == "home" and len(parts) < 3:
        return "is a user's home folder"
    if any(part.startswith(".") for part in parts):
        return "is a hidden folder (or inside one)"
    return None


def check_separate_folders(folders: list[tuple[str, str]]) -> None:
    """Refuse two install folders, given as (field, path), where one is or holds the other:
    each is replaced or pruned whole, which would take the other with it."""
    for index, (field, path) in enumerate(folders):
        for other_field, other in folders[index + 1 :]:
            problem = _overlap(field, path, other_field, other)
            if problem is not None:
                raise ValueError(f"{problem}: install folders must be separate")


def _overlap(field: str, path: str, other_field: str, other: str) -> str | None:
    first, second = path.rstrip("/") + "/", other.rstrip("/") + "/"
    if first == second:
        return f"{field} and {other_field} are the same folder {path}"
    if second.startswith(first):
        return f"{field} {path} holds {other_field} {other}"
    if first.startswith(second):
        return f"{other_field} {other} holds {field} {path}"
    return None


def _check_absolute_path(value: str) -> str:
    segments = value.rstrip("/").split("/")[1:]
    valid = (
        value.startswith("/")
        and len(value) <= 1024
        and bool(segments)
        and all(_SAFE_PATH_SEGMENT.fullmatch(part) for part in segments)
        and not any(part in {".", ".."} for part in segments)
    )
    if not valid:
        raise ValueError(
            f"{value!r} is not an absolute path of letters, digits and ._+- like /opt/libtorch"
        )
    return _check_install_folder(value)


_LOGIN_TEXT = re.compile(r"[^\s\"'\\]*")


def _check_url(value: str) -> str:
    try:
        parts = urlsplit(value) if _URL_CHARACTERS.fullmatch(value) else None
        port = parts.port if parts is not None else None
    except ValueError:
        parts, port = None, -1
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"{redact(value)!r} has a port outside 1-65535")
    valid = parts is not None and (
        (parts.scheme in {"http", "https"} and bool(parts.hostname))
        or (parts.scheme == "file" and parts.path.startswith("/") and not parts.netloc)
    )
    if not valid:
        raise ValueError(
            f"{redact(value)!r} is not an http, https or file URL "
            "without spaces, quotes or shell characters"
        )
    if parts is not None and (parts.username is not None or parts.password is not None):
        _check_login(value, parts.scheme, parts.username or "", parts.password or "")
    return value


def _check_login(value: str, scheme: str, user: str, password: str) -> None:
    """A login in a URL goes only over https, and fits on a netrc line."""
    if scheme != "https":
        raise ValueError(
            f"{redact(value)!r} carries a login over {scheme}, which would send it in clear: "
            "only https URLs may carry one"
        )
    if not user or not all(_LOGIN_TEXT.fullmatch(unquote(part)) for part in (user, password)):
        raise ValueError(
            f"{redact(value)!r} carries a login that is empty or holds spaces, quotes or "
            "backslashes"
        )


def _check_channel(value: str) -> str:
    if "://" in value:
        return _check_url(value)
    return _pattern_check(CHANNEL_NAME_PATTERN, "a conda channel name or URL")(value)


def apt_line_url(line: str) -> str | None:
    """The repository URL of a one-line apt source (None when `line` is not one)."""
    match = _APT_LINE.fullmatch(line)
    return (match.group("url") or match.group("plain_url")) if match else None


def _check_apt_line(value: str) -> str:
    url = apt_line_url(value)
    example = "like 'deb [signed-by=/etc/apt/keyrings/mirror.gpg] https://mirror.example/apt ./'"
    if not url:
        raise ValueError(f"{redact(value)!r} is not an apt source line {example}")
    try:
        _check_url(url)
    except ValueError as error:
        raise ValueError(f"{redact(value)!r} is not an apt source line: {error}") from None
    return value


DriverVersion = Annotated[
    str,
    _schema(DRIVER_PATTERN, "535.154.05"),
    AfterValidator(_pattern_check(DRIVER_PATTERN, "a driver version like 535.154.05")),
]
CudaVersion = Annotated[
    str,
    _schema(CUDA_VERSION_PATTERN, "11.8.0"),
    AfterValidator(_pattern_check(CUDA_VERSION_PATTERN, "a CUDA version like 11.8.0")),
]
CudaRelease = Annotated[
    str,
    _schema(CUDA_RELEASE_PATTERN, "11.8"),
    AfterValidator(_pattern_check(CUDA_RELEASE_PATTERN, "a CUDA release like 11.8 or 11.8.0")),
]
CudaMajor = Annotated[
    str,
    _schema(CUDA_MAJOR_PATTERN, "12"),
    AfterValidator(_pattern_check(CUDA_MAJOR_PATTERN, "a CUDA major version like 12")),
]
CudnnVersion = Annotated[
    str,
    _schema(CUDNN_PATTERN, "8.9.7.29"),
    AfterValidator(_pattern_check(CUDNN_PATTERN, "a cuDNN version like 8.9.7.29")),
]
TorchVersion = Annotated[
    str,
    _schema(TORCH_PATTERN, "2.5.1"),
    AfterValidator(_pattern_check(TORCH_PATTERN, "a PyTorch version like 2.5.1")),
]
PythonVersion = Annotated[
    str,
    _schema(PYTHON_PATTERN, "3.11"),
    AfterValidator(_pattern_check(PYTHON_PATTERN, "a Python version like 3.11")),
]
CudaVariant = Annotated[
    str,
    _schema(VARIANT_PATTERN, "cu118"),
    AfterValidator(_pattern_check(VARIANT_PATTERN, "a build variant like cu118 or cpu")),
]
UserName = Annotated[
    str,
    _schema(USER_PATTERN, "alice"),
    AfterValidator(_pattern_check(USER_PATTERN, "a POSIX user name like alice")),
]
Sha256 = Annotated[
    str,
    _schema(SHA256_PATTERN, "0" * 64),
    AfterValidator(_pattern_check(SHA256_PATTERN, "a sha256 digest of 64 lowercase hex digits")),
]
EnvName = Annotated[str, _schema(ENV_NAME_PATTERN, "torch"), AfterValidator(_check_env_name)]
AbsolutePath = Annotated[
    str, _schema(PATH_PATTERN, "/opt/libtorch"), AfterValidator(_check_absolute_path)
]
Url = Annotated[str, _schema(URL_PATTERN, "https://example.org/repo"), AfterValidator(_check_url)]
CondaChannel = Annotated[str, _schema(None, "conda-forge"), AfterValidator(_check_channel)]
AptSourceLine = Annotated[
    str,
    _schema(None, "deb [trusted=yes] http://127.0.0.1:8080/apt ./"),
    AfterValidator(_check_apt_line),
]


def version_key(version: str) -> tuple[int, ...]:
    """Dotted version as a tuple of numbers, so 570.124.06 sorts above 570.26."""
    return tuple(int(part) for part in version.split("."))


def cuda_release(version: str) -> str:
    """The `X.Y` release a CUDA version such as `11.8.0` belongs to."""
    major, minor = version.split(".")[:2]
    return f"{major}.{minor}"


def variant_cuda_release(variant: str) -> str | None:
    """The CUDA release of a build variant: `cu118` -> `11.8`, `cu130` -> `13.0`, `cpu` -> None."""
    if variant == "cpu":
        return None
    digits = variant.removeprefix("cu")
    return f"{digits[:-1]}.{digits[-1]}"
