"""Compliance: each device's running config against its intended one, per feature."""

from nornir_config.compliance.engine import compare_texts, remediation
from nornir_config.compliance.features import device_features, feature_specs
from nornir_config.compliance.model import (
    UNOWNED,
    ComplianceReport,
    DeviceResult,
    FeatureResult,
    RunSummary,
)
from nornir_config.compliance.run import run_compliance

__all__ = [
    "UNOWNED",
    "ComplianceReport",
    "DeviceResult",
    "FeatureResult",
    "RunSummary",
    "compare_texts",
    "device_features",
    "feature_specs",
    "remediation",
    "run_compliance",
]
