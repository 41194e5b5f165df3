"""efs gaps (filled by a later change)."""


def install() -> None:
    return None
