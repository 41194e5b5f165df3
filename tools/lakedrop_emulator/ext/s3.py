"""s3 gaps (filled by a later change)."""


def install() -> None:
    return None
