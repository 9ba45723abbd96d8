"""The Ansible side of the benchmark: a playbook converging the workstation, and its adapter."""
