"""yuqing's configuration: one TOML file, validated with pydantic, secrets by reference only."""

from config.app import Config, DatabaseConfig
from config.loader import DEFAULT_CONFIG, ConfigError, config_from_mapping, config_path, load_config
from config.secrets import redact
from config.sources import CrawlPolicy, SourceConfig

__all__ = [
    "Config",
    "ConfigError",
    "CrawlPolicy",
    "DEFAULT_CONFIG",
    "DatabaseConfig",
    "SourceConfig",
    "config_from_mapping",
    "config_path",
    "load_config",
    "redact",
]
