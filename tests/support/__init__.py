"""Helpers shared by the test suites (emulator access, running Ansible)."""
