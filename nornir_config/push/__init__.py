"""Push intended configs to devices safely: merge (hier_config remediation over Netmiko) or
replace (NAPALM configure replace), each verified and rolled back on any failure."""

from nornir_config.push.run import PushOptions, PushRun, run_push
from nornir_config.push.state import DeviceReport, Outcome

__all__ = ["DeviceReport", "Outcome", "PushOptions", "PushRun", "run_push"]
