"""The sandbox lab's fixtures (`lab`, `fresh_host`, `new_host`, `ssh`) for every test folder."""

pytest_plugins = ["provision.lab.pytest_plugin"]
