"""Benchmark harness: provision against Ansible, pyinfra and a bare Fabric floor (issue #8)."""
