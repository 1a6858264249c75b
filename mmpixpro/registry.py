# Copyright (c) mmpixpro contributors. All rights reserved.
"""Registries of mmpixpro, children of mmpretrain's (scope ``mmpixpro``).

With ``default_scope = 'mmpixpro'`` a name is looked up in mmpixpro first,
then in mmpretrain, then in mmengine's root registries. ``locations`` makes a
registry import the modules that fill it the first time it is used.
"""
from mmpretrain.registry import DATA_SAMPLERS as MMPRETRAIN_DATA_SAMPLERS
from mmpretrain.registry import DATASETS as MMPRETRAIN_DATASETS
from mmpretrain.registry import EVALUATORS as MMPRETRAIN_EVALUATORS
from mmpretrain.registry import HOOKS as MMPRETRAIN_HOOKS
from mmpretrain.registry import LOG_PROCESSORS as MMPRETRAIN_LOG_PROCESSORS
from mmpretrain.registry import LOOPS as MMPRETRAIN_LOOPS
from mmpretrain.registry import METRICS as MMPRETRAIN_METRICS
from mmpretrain.registry import MODEL_WRAPPERS as MMPRETRAIN_MODEL_WRAPPERS
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
from mmpretrain.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMPRETRAIN_OPTIM_WRAPPER_CONSTRUCTORS
from mmpretrain.registry import OPTIM_WRAPPERS as MMPRETRAIN_OPTIM_WRAPPERS
from mmpretrain.registry import OPTIMIZERS as MMPRETRAIN_OPTIMIZERS
from mmpretrain.registry import PARAM_SCHEDULERS as MMPRETRAIN_PARAM_SCHEDULERS
from mmpretrain.registry import RUNNERS as MMPRETRAIN_RUNNERS
from mmpretrain.registry import TRANSFORMS as MMPRETRAIN_TRANSFORMS
from mmpretrain.registry import VISBACKENDS as MMPRETRAIN_VISBACKENDS
from mmpretrain.registry import VISUALIZERS as MMPRETRAIN_VISUALIZERS
from mmpretrain.registry import \
    WEIGHT_INITIALIZERS as MMPRETRAIN_WEIGHT_INITIALIZERS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import Registry

__all__ = [
    'RUNNERS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS', 'OPTIMIZERS',
    'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS',
    'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS',
    'WEIGHT_INITIALIZERS', 'METRICS', 'EVALUATORS', 'VISUALIZERS',
    'VISBACKENDS', 'FUNCTIONS', 'EVAL_PROTOCOLS'
]


def _child(name: str, parent: Registry, location: str) -> Registry:
    """Make a registry in scope ``mmpixpro`` under an mmpretrain parent."""
    return Registry(
        name, parent=parent, scope='mmpixpro', locations=[location])


# engine
RUNNERS = _child('runner', MMPRETRAIN_RUNNERS, 'mmpixpro.engine')
LOOPS = _child('loop', MMPRETRAIN_LOOPS, 'mmpixpro.engine')
HOOKS = _child('hook', MMPRETRAIN_HOOKS, 'mmpixpro.engine')
LOG_PROCESSORS = _child('log processor', MMPRETRAIN_LOG_PROCESSORS,
                        'mmpixpro.engine')
OPTIMIZERS = _child('optimizer', MMPRETRAIN_OPTIMIZERS, 'mmpixpro.engine')
OPTIM_WRAPPERS = _child('optim_wrapper', MMPRETRAIN_OPTIM_WRAPPERS,
                        'mmpixpro.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMPRETRAIN_OPTIM_WRAPPER_CONSTRUCTORS,
                                    'mmpixpro.engine')
PARAM_SCHEDULERS = _child('parameter scheduler', MMPRETRAIN_PARAM_SCHEDULERS,
                          'mmpixpro.engine')
# datasets
DATASETS = _child('dataset', MMPRETRAIN_DATASETS, 'mmpixpro.datasets')
DATA_SAMPLERS = _child('data sampler', MMPRETRAIN_DATA_SAMPLERS,
                       'mmpixpro.datasets')
TRANSFORMS = _child('transform', MMPRETRAIN_TRANSFORMS, 'mmpixpro.datasets')
# models
MODELS = _child('model', MMPRETRAIN_MODELS, 'mmpixpro.models')
MODEL_WRAPPERS = _child('model_wrapper', MMPRETRAIN_MODEL_WRAPPERS,
                        'mmpixpro.models')
WEIGHT_INITIALIZERS = _child('weight initializer',
                             MMPRETRAIN_WEIGHT_INITIALIZERS, 'mmpixpro.models')
# evaluation and visualisation
METRICS = _child('metric', MMPRETRAIN_METRICS, 'mmpixpro.evaluation')
EVALUATORS = _child('evaluator', MMPRETRAIN_EVALUATORS, 'mmpixpro.evaluation')
VISUALIZERS = _child('visualizer', MMPRETRAIN_VISUALIZERS,
                     'mmpixpro.visualization')
VISBACKENDS = _child('vis_backend', MMPRETRAIN_VISBACKENDS,
                     'mmpixpro.visualization')
# plain functions (e.g. dataloader ``worker_init_fn``)
FUNCTIONS = _child('function', MMENGINE_FUNCTIONS, 'mmpixpro.datasets')
# evaluation protocols of frozen backbones (``tools/analysis_tools/evaluate.py
# --protocols NAME ...``): functions, see mmpixpro.evaluation.protocols
EVAL_PROTOCOLS = Registry(
    'evaluation protocol',
    scope='mmpixpro',
    locations=['mmpixpro.evaluation'])
