"""pyinfra's side of the benchmark: a deploy converging the workstation, and its adapter."""
