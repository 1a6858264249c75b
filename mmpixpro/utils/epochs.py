# Copyright (c) mmpixpro contributors. All rights reserved.
"""Change the length of an epoch-based run without restating its schedule."""
from mmengine.config import Config


def set_max_epochs(cfg: Config, epochs: int) -> Config:
    """Set ``train_cfg.max_epochs`` and stretch the schedule with it.

    Every ``param_scheduler`` entry that ended at the old last epoch ends at
    ``epochs`` (a cosine's ``T_max`` becomes ``epochs - begin``); entries
    that end earlier (the warm-up) keep their length. A checkpoint interval
    equal to the old length follows too. So ``--epochs 48`` on the demo
    gives 1 warm-up epoch and a cosine over 47, as if the config had been
    written for 48 epochs.

    Args:
        cfg (Config): An epoch-based config, changed in place.
        epochs (int): New number of epochs.

    Returns:
        Config: ``cfg``.

    Raises:
        ValueError: If the run is not epoch-based or a schedule entry that
            is kept (the warm-up) would not end before ``epochs``.
    """
    old = cfg.get('train_cfg', {}).get('max_epochs')
    if old is None:
        raise ValueError('set_max_epochs needs train_cfg.max_epochs (an '
                         'epoch-based run)')
    if epochs < 1:
        raise ValueError(f'epochs must be >= 1, got {epochs}')
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    for sched in schedulers:
        end = sched.get('end', old)
        if end >= old:
            sched['end'] = epochs
            if 'T_max' in sched:
                sched['T_max'] = epochs - sched.get('begin', 0)
        elif end >= epochs:
            raise ValueError(
                f'{sched["type"]} ends at epoch {end}, not before the new '
                f'last epoch {epochs}; shorten it in the config')
    cfg.train_cfg.max_epochs = epochs
    checkpoint = cfg.get('default_hooks', {}).get('checkpoint')
    if checkpoint is not None and checkpoint.get('interval') == old:
        checkpoint['interval'] = epochs
    return cfg
