"""The managed resources, one module each, holding the resource's whole story.

Each module says what the desired state asks for (it reads its part of `HostState`), what
the facts say is there (`found_*`/`*_installed`, over `Facts`), the changes that close the
gap (`plan_*(desired, facts) -> list[Change]`, empty when satisfied; `unmanaged_*` for
what is there but not declared) and the verify checks that prove it (`checks(state)`).
All of it is pure; `provision.reconcile` orders the changes and `provision.verify.checks`
the checks. docs/ARCHITECTURE.md maps each resource to its module.
"""
