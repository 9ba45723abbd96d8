"""A plan as text for people: each change as `task resource: before -> after (reason)`,
with the unified diff of every file it would write when diffs are asked for."""

from __future__ import annotations

from provision.plan import BlockEdit, Change, FileWrite, Plan


def _value(value: str | None) -> str:
    return "(none)" if value is None else value


def _change_lines(change: Change, diff: bool) -> list[str]:
    lines = [
        f"  ~ {change.task} {change.resource}: {_value(change.before)} -> {_value(change.after)}",
        f"      why: {change.reason}",
    ]
    if change.notifies:
        lines.append(f"      notifies: {', '.join(change.notifies)}")
    if diff:
        for action in change.actions:
            if isinstance(action, FileWrite | BlockEdit) and action.diff:
                lines += [f"      {line}" for line in action.diff.rstrip("\n").splitlines()]
    return lines


def plan_lines(plan: Plan, *, diff: bool) -> list[str]:
    """The plan of one host, ready to print."""
    if plan.refused is not None:
        return [f"{plan.host}: refused: {plan.refused}"]
    count = len(plan.changes)
    if not count:
        lines = [f"{plan.host}: up to date (0 changes)"]
    else:
        reboot = ", reboot needed" if plan.reboot_required else ""
        lines = [f"{plan.host}: {count} change{'s' if count != 1 else ''}{reboot}"]
    for change in plan.changes:
        lines += _change_lines(change, diff)
    if plan.handlers:
        lines.append(f"  handlers: {', '.join(handler.name for handler in plan.handlers)}")
    for item in plan.unmanaged:
        pruned = " (pruned)" if item.pruned else " (kept; prune: true removes it)"
        lines.append(f"  unmanaged {item.kind} {item.resource}: {item.detail}{pruned}")
    lines += [f"  warning: {warning}" for warning in plan.warnings]
    return lines
