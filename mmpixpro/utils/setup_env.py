# Copyright (c) mmpixpro contributors. All rights reserved.
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all mmpixpro (and mmpretrain) modules in their registries.

    mmpretrain's engine (hooks such as ``DenseCLHook``, optimizers such as
    ``LARS``) is registered too, so configs name upstream components as
    upstream does, without a scope prefix.

    Args:
        init_default_scope (bool): Whether to make ``mmpixpro`` the default
            scope, so that names resolve in mmpixpro first, then mmpretrain,
            then mmengine. Defaults to True.
    """
    import mmpretrain.engine  # noqa: F401,F403

    import mmpixpro.datasets  # noqa: F401,F403
    import mmpixpro.engine  # noqa: F401,F403
    import mmpixpro.evaluation  # noqa: F401,F403
    import mmpixpro.models  # noqa: F401,F403
    import mmpixpro.visualization  # noqa: F401,F403

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None:
        DefaultScope.get_instance('mmpixpro', scope_name='mmpixpro')
    elif current.scope_name != 'mmpixpro':
        warnings.warn(f'The current default scope "{current.scope_name}" '
                      'is not "mmpixpro"; `register_all_modules` creates a '
                      'new default scope "mmpixpro".')
        name = f'mmpixpro-{datetime.datetime.now()}'
        DefaultScope.get_instance(name, scope_name='mmpixpro')
