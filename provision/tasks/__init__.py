"""What the resource modules share to build their changes: apt and download commands,
templates, handlers, the reboot step, the distribution table and NVIDIA's keyring."""
