"""Change control: reviewed plans applied exactly, restores from backups, a drift watch."""
