"""Extensions that fill moto's gaps. Each module has an `install()`; all run before the server starts."""

from __future__ import annotations

_INSTALLED = False


def install_all() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    from . import authz
    from . import bulk
    from . import cloudwatch
    from . import datasync
    from . import ecs
    from . import efs
    from . import efs_access_points
    from . import efs_policies
    from . import events
    from . import kms
    from . import lambda_runner
    from . import s3
    from . import s3_events
    from . import sns

    for module in (
        datasync,
        efs,
        efs_access_points,
        s3,
        lambda_runner,
        s3_events,  # wraps lambda_runner's S3 notification delivery
        kms,
        efs_policies,
        ecs,
        events,
        sns,
        cloudwatch,
        authz,
        bulk,
    ):
        module.install()
    _INSTALLED = True
