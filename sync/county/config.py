"""The hub's configuration file (``hub.toml`` in its data directory) and what it names."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .keys import KeyFiles

CONFIG_NAME = "hub.toml"
DEFAULT_PORT = 8443
DEFAULT_MIN_CLIENT = "0.1.0"


class ConfigError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HubConfig:
    data_dir: Path
    county_name: str
    database_url: str
    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    min_client_version: str = DEFAULT_MIN_CLIENT
    hosts: tuple[str, ...] = field(default=("localhost", "127.0.0.1"))

    @property
    def keys(self) -> KeyFiles:
        return KeyFiles(self.data_dir)

    def to_toml(self) -> str:
        hosts = ", ".join(f'"{h}"' for h in self.hosts)
        return (f'# 县级平台配置（yimen-county）\ncounty_name = "{self.county_name}"\n'
                f'database_url = "{self.database_url}"\nhost = "{self.host}"\nport = {self.port}\n'
                f'min_client_version = "{self.min_client_version}"\nhosts = [{hosts}]\n')


def load(data_dir: Path) -> HubConfig:
    path = data_dir / CONFIG_NAME
    if not path.exists():
        raise ConfigError(f"找不到配置文件 {path}：请先运行 yimen-county init。")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件 {path} 格式有误：{exc}") from None
    for key in ("county_name", "database_url"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f"配置文件 {path} 缺少 {key}。")
    port = raw.get("port", DEFAULT_PORT)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"配置文件 {path} 的 port 须为 1–65535 的整数。")
    hosts = raw.get("hosts", ["localhost", "127.0.0.1"])
    return HubConfig(data_dir=data_dir, county_name=raw["county_name"], database_url=raw["database_url"],
                     host=str(raw.get("host", "0.0.0.0")), port=port,
                     min_client_version=str(raw.get("min_client_version", DEFAULT_MIN_CLIENT)),
                     hosts=tuple(str(h) for h in hosts))
