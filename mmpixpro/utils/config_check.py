# Copyright (c) mmpixpro contributors. All rights reserved.
"""Check a training config before anything is built.

mmengine reports a misspelt ``type`` as "not in the registry" without
suggestions, and builds datasets, transforms and hooks only once training
starts. :func:`check_config` walks the config first and reports, all at
once: unknown component types (with the registry and the closest
registered names), unknown arguments (with the component: models,
transforms, hooks, loops, optimizers, schedulers), missing required keys or
arguments, values the Runner would fail on later (batch size, epochs,
iterations, hook priorities: :func:`priority_problem`), and views that the
model cannot use (:func:`views_problem`).
"""
import difflib
import inspect
from typing import (Any, Iterator, List, Optional, Sequence, Set, Tuple,
                    Union)

from mmengine.config import Config
from mmengine.hooks import CheckpointHook
from mmengine.registry import Registry
from mmengine.runner import Priority

from mmpixpro import registry as R

# top-level keys a training config cannot do without
REQUIRED_KEYS = ('model', 'train_dataloader', 'train_cfg', 'optim_wrapper')
REQUIRED_DATALOADER_KEYS = ('dataset', 'sampler', 'batch_size')

_VAR = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
# classes whose ``**kwargs`` take nothing in practice: CheckpointHook hands
# them to ``Runner.save_checkpoint``, every argument of which it already
# passes, so any extra key fails at the first save
CLOSED_KWARGS = (CheckpointHook, )
# the loop mmengine builds for a train_cfg without ``type``
DEFAULT_LOOPS = {True: 'EpochBasedTrainLoop', False: 'IterBasedTrainLoop'}
# train_cfg keys that must be whole numbers >= 1, by loop
LOOP_COUNTS = {'EpochBasedTrainLoop': 'max_epochs',
               'IterBasedTrainLoop': 'max_iters'}


class ConfigError(ValueError):
    """A config that cannot train, with every problem found."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__('The config has problems:\n  - ' +
                         '\n  - '.join(self.problems))


def registered_names(registry: Registry) -> Set[str]:
    """Names registered in ``registry`` and in its parents.

    Args:
        registry (Registry): A registry.

    Returns:
        set[str]: All names a lookup in ``registry`` can find.
    """
    registry.import_from_location()
    names: Set[str] = set()
    while registry is not None:
        names.update(registry.module_dict)
        registry = registry.parent
    return names


def closest_names(name: str, registry: Registry, n: int = 5) -> List[str]:
    """The registered names closest to ``name``.

    Args:
        name (str): A (misspelt) type.
        registry (Registry): Where it was looked up.
        n (int): At most this many. Defaults to 5.

    Returns:
        list[str]: Close names, best first.
    """
    names = registered_names(registry)
    by_lower = {k.lower(): k for k in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n, 0.5)
    return [by_lower[c] for c in close]


def accepted_args(obj: Any) -> Tuple[Optional[Set[str]], Set[str]]:
    """Keyword arguments a class (along its bases) or function accepts.

    Args:
        obj (type | callable): A registered class or function.

    Returns:
        tuple: (accepted names, or None if anything is accepted; required
        names of the first ``__init__``/the function).
    """
    chain = [c for c in obj.__mro__ if '__init__' in vars(c)] \
        if inspect.isclass(obj) else [obj]
    accepted: Set[str] = set()
    required: Optional[Set[str]] = None
    for owner in chain:
        func = owner.__init__ if inspect.isclass(owner) else owner
        try:
            params = list(inspect.signature(func).parameters.values())
        except (TypeError, ValueError):  # builtins without a signature
            return None, required or set()
        if inspect.isclass(obj):
            params = params[1:]  # self
        if required is None:
            required = {p.name for p in params
                        if p.default is p.empty and p.kind not in _VAR}
        accepted.update(p.name for p in params if p.kind not in _VAR)
        if not any(p.kind == p.VAR_KEYWORD for p in params) or (
                owner in CLOSED_KWARGS):
            return accepted, required
    return None, required or set()


class _Checker:
    """Walks a config and collects problems."""

    def __init__(self) -> None:
        self.problems: List[str] = []

    def component(self,
                  cfg: Any,
                  registry: Registry,
                  path: str,
                  check_args: bool = True,
                  injected: Sequence[str] = ()) -> Optional[Any]:
        """Check one ``dict(type=...)``; return the registered object.

        ``injected`` names arguments that the builder supplies or consumes
        itself (e.g. a sampler's ``dataset``): never missing nor unknown.
        """
        if not isinstance(cfg, dict) or 'type' not in cfg:
            return None
        type_ = cfg['type']
        if not isinstance(type_, str):
            return type_ if callable(type_) else None
        obj = registry.get(type_)
        if obj is None:
            close = closest_names(type_.split('.')[-1], registry)
            hint = f'; closest registered names: {close}' if close else ''
            self.problems.append(
                f'{path}: type {type_!r} is not in the {registry.scope}::'
                f'{registry.name} registry (or its parents){hint}')
            return None
        if check_args:
            self.arguments(obj, cfg, path, injected)
        return obj

    def arguments(self, obj: Any, cfg: dict, path: str,
                  injected: Sequence[str]) -> None:
        """Report unknown and missing arguments of ``obj``."""
        accepted, required = accepted_args(obj)
        given = set(cfg) - {'type', '_scope_'} - set(injected)
        name = getattr(obj, '__name__', str(obj))
        if accepted is not None:
            for arg in sorted(given - accepted):
                close = difflib.get_close_matches(arg, sorted(accepted), 3)
                hint = f' (did you mean {close}?)' if close else ''
                self.problems.append(f'{path}: {name} has no argument '
                                     f'{arg!r}{hint}')
        for arg in sorted(required - given - set(injected)):
            self.problems.append(f'{path}: {name} needs the argument '
                                 f'{arg!r}, which is missing')

    def positive_int(self, value: Any, path: str) -> None:
        """Report ``value`` unless it is a whole number >= 1."""
        problem = positive_int_problem(value, path)
        if problem:
            self.problems.append(problem)

    def model(self, cfg: Any, path: str, check_args: bool = True) -> None:
        """Check a model component and, recursively, its sub-components."""
        if isinstance(cfg, (list, tuple)):
            for i, item in enumerate(cfg):
                self.model(item, f'{path}[{i}]', check_args)
            return
        if not isinstance(cfg, dict):
            return
        if 'type' in cfg:
            self.component(cfg, R.MODELS, path, check_args)
        for key, value in cfg.items():
            if key == 'init_cfg':
                for i, init in enumerate(_as_list(value)):
                    self.component(init, R.WEIGHT_INITIALIZERS,
                                   f'{path}.init_cfg[{i}]', False)
            else:
                # *_cfg dicts are read by builder functions that take extra
                # keys (e.g. norm_cfg's requires_grad): check the type only
                self.model(value, f'{path}.{key}',
                           check_args and not key.endswith('_cfg'))

    def pipeline(self, cfg: Any, path: str) -> None:
        """Check transforms, including nested pipelines (e.g. per view)."""
        if isinstance(cfg, (list, tuple)):
            for i, item in enumerate(cfg):
                self.pipeline(item, f'{path}[{i}]')
        elif isinstance(cfg, dict) and 'type' in cfg:
            self.component(cfg, R.TRANSFORMS, path)
            for key, value in cfg.items():
                self.pipeline(value, f'{path}.{key}')


def positive_int_problem(value: Any, path: str) -> Optional[str]:
    """A message if ``value`` is not a whole number >= 1, else None.

    Args:
        value (Any): A config value (batch size, epochs, iterations).
        path (str): Its key, for the message.

    Returns:
        str | None: The problem.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return (f'{path} must be a whole number >= 1, got {value!r} '
                f'({type(value).__name__})')
    if value < 1:
        return f'{path} must be >= 1, got {value}'
    return None


Size = Optional[Tuple[int, int]]


def describe_views(sizes: Sequence[Size],
                   square_as_side: bool = False) -> str:
    """Views as runs of one size, e.g. ``'2 x 224x224 + 6 x 96x96'``.

    Args:
        sizes (Sequence[tuple[int, int] | None]): ``(h, w)`` per view,
            None where unknown.
        square_as_side (bool): Name a square size by its side
            (``'2 x 224 + 6 x 96'``, the demo comparison's views column).
            Defaults to False.

    Returns:
        str: The description (``?`` for an unknown size).
    """
    runs: List[list] = []
    for size in sizes:
        if runs and runs[-1][1] == size:
            runs[-1][0] += 1
        else:
            runs.append([1, size])

    def name(size: Size) -> str:
        if size is None:
            return '?'
        if square_as_side and size[0] == size[1]:
            return str(size[0])
        return f'{size[0]}x{size[1]}'

    return ' + '.join(f'{n} x {name(size)}' for n, size in runs)


def views_problem(spec: dict, sizes: Sequence[Size]) -> Optional[str]:
    """What a method cannot use in the views a pipeline makes, or None.

    An algorithm declares the views it consumes as the class attribute
    ``supported_views``, a dict with ``num_views`` (an int or a sequence of
    the ints allowed; absent: any count), ``min_views`` (the fewest views
    it takes; absent: no minimum) and ``same_size`` (True when all views
    must have one size; defaults to False), e.g. ``supported_views =
    dict(num_views=2)`` or ``dict(min_views=2)``; an optional ``hint``
    (str) is added to the problem, e.g. the option that takes more views.
    A class whose views depend on its arguments declares them from its
    model config instead, with a classmethod ``supported_views_of(cfg)``
    returning such a dict (:func:`supported_views_of`). Sizes that the
    config does not tell (None) are not compared.

    Args:
        spec (dict): The algorithm's ``supported_views``.
        sizes (Sequence[tuple[int, int] | None]): ``(h, w)`` of each view the
            pipeline makes.

    Returns:
        str | None: What does not fit, e.g. ``'8 views where it takes 2'``.
    """
    counts: Union[int, Sequence[int], None] = spec.get('num_views')
    if isinstance(counts, int):
        counts = (counts, )
    if counts is not None and len(sizes) not in counts:
        allowed = ' or '.join(str(n) for n in counts)
        return f'{len(sizes)} views where it takes {allowed}'
    fewest = spec.get('min_views')
    if fewest is not None and len(sizes) < fewest:
        return f'{len(sizes)} views where it takes at least {fewest}'
    known = {size for size in sizes if size is not None}
    if spec.get('same_size', False) and len(known) > 1:
        return 'views of different sizes where it takes views of one size'
    return None


def supported_views_of(cls: Any, model_cfg: Any) -> Optional[dict]:
    """The views a model config takes: ``cls.supported_views_of(cfg)``
    where the class defines it, else its attribute ``supported_views``.

    Args:
        cls (type): The registered model class.
        model_cfg (dict): The ``model`` config (of type ``cls``).

    Returns:
        dict | None: The spec that :func:`views_problem` reads; None when
        the class declares nothing.
    """
    of_cfg = getattr(cls, 'supported_views_of', None)
    if callable(of_cfg):
        return of_cfg(model_cfg)
    return getattr(cls, 'supported_views', None)


def _pipeline_views(pipeline: Any) -> Iterator[Tuple[int, Any, List[Size]]]:
    """(index, type, view sizes) of each multi-view transform of a
    pipeline config: those whose class tells its views from its config
    (``view_sizes_of``, as :class:`MultiViewTransform`)."""
    for i, item in enumerate(_as_list(pipeline)):
        type_ = item.get('type') if isinstance(item, dict) else None
        cls = R.TRANSFORMS.get(type_) if isinstance(type_, str) else None
        if cls is None or not hasattr(cls, 'view_sizes_of'):
            continue
        try:
            yield i, type_, cls.view_sizes_of(item)
        except (KeyError, TypeError, AttributeError):
            continue  # malformed: its arguments are reported elsewhere


def _check_views(checker: _Checker, model: Any, pipeline: Any,
                 path: str) -> None:
    """Report views that the model's ``supported_views`` does not take."""
    type_ = model.get('type') if isinstance(model, dict) else None
    cls = R.MODELS.get(type_) if isinstance(type_, str) else None
    spec = supported_views_of(cls, model) if cls is not None else None
    if spec is None:
        return
    hint = spec.get('hint')
    shown = {k: v for k, v in spec.items() if k != 'hint'}
    for i, transform, sizes in _pipeline_views(pipeline):
        problem = views_problem(spec, sizes)
        if problem:
            checker.problems.append(
                f'{path}[{i}] ({transform}) makes {describe_views(sizes)}: '
                f'{problem} (model.type={type_!r}, whose supported_views is '
                f'{shown}); change {path}[{i}] (view_pipelines, num_views) '
                'or model.type' + (f'; {hint}' if hint else ''))


def _as_list(value: Any) -> list:
    """``value`` as a list (None -> [])."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _hooks(cfg: Config) -> Iterator[Tuple[str, Any]]:
    """(path, hook cfg) of default and custom hooks."""
    for name, hook in (cfg.get('default_hooks') or {}).items():
        yield f'default_hooks.{name}', hook
    for i, hook in enumerate(_as_list(cfg.get('custom_hooks'))):
        yield f'custom_hooks[{i}]', hook


def priority_problem(value: Any, path: str) -> Optional[str]:
    """A message when ``value`` is not a priority mmengine takes.

    ``priority`` is a key of every hook config (the Runner pops it before
    building the hook): a name of :class:`mmengine.runner.Priority` (any
    case, e.g. ``'VERY_HIGH'``) or a whole number from 0 (highest) to 100.

    Args:
        value (Any): The ``priority`` of a hook config.
        path (str): Where it is, e.g. ``custom_hooks[0]``.

    Returns:
        str | None: The problem, or None when ``value`` is valid.
    """
    if isinstance(value, Priority):
        return None
    if isinstance(value, str) and value.upper() in Priority.__members__:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and (
            0 <= value <= 100):
        return None
    names = ', '.join(Priority.__members__)
    return (f'{path}.priority: {value!r} is not a hook priority; use one of '
            f'{names} or a whole number from 0 (highest) to 100 (lowest)')


def _check_hook(checker: _Checker, hook: Any, path: str) -> None:
    """Check a hook config; ``priority`` is read by the Runner."""
    if isinstance(hook, dict) and 'priority' in hook:
        problem = priority_problem(hook['priority'], path)
        if problem:
            checker.problems.append(problem)
        hook = {k: v for k, v in hook.items() if k != 'priority'}
    checker.component(hook, R.HOOKS, path)


def _check_loop(checker: _Checker, train_cfg: Any) -> None:
    """Check the train loop's type, arguments and length."""
    if not isinstance(train_cfg, dict):
        return
    loop = dict(train_cfg)
    if 'type' not in loop:
        loop['type'] = DEFAULT_LOOPS[bool(loop.get('by_epoch', True))]
    checker.component(loop, R.LOOPS, 'train_cfg',
                      injected=['runner', 'dataloader', 'by_epoch'])
    count = LOOP_COUNTS.get(loop['type'])
    if count and count in loop:
        checker.positive_int(loop[count], f'train_cfg.{count}')


def check_config(cfg: Config) -> None:
    """Check a training config before anything is built.

    Args:
        cfg (Config): The full config.

    Raises:
        ConfigError: Listing every problem found.
    """
    checker = _Checker()
    problems = checker.problems
    for key in REQUIRED_KEYS:
        if cfg.get(key) is None:
            problems.append(f'missing required key {key!r}')
    checker.model(cfg.get('model'), 'model')
    loader = cfg.get('train_dataloader')
    if isinstance(loader, dict):
        for key in REQUIRED_DATALOADER_KEYS:
            if key not in loader:
                problems.append(f'train_dataloader: missing required key '
                                f'{key!r}')
        dataset = loader.get('dataset')
        checker.component(dataset, R.DATASETS, 'train_dataloader.dataset')
        if isinstance(dataset, dict):
            checker.pipeline(dataset.get('pipeline'),
                             'train_dataloader.dataset.pipeline')
            _check_views(checker, cfg.get('model'), dataset.get('pipeline'),
                         'train_dataloader.dataset.pipeline')
        checker.component(loader.get('sampler'), R.DATA_SAMPLERS,
                          'train_dataloader.sampler', injected=['dataset'])
    wrapper = cfg.get('optim_wrapper')
    if isinstance(wrapper, dict):
        checker.component(wrapper, R.OPTIM_WRAPPERS, 'optim_wrapper', False)
        if 'optimizer' not in wrapper:
            problems.append("optim_wrapper: missing required key "
                            "'optimizer'")
        checker.component(wrapper.get('optimizer'), R.OPTIMIZERS,
                          'optim_wrapper.optimizer', injected=['params'])
    for i, sched in enumerate(_as_list(cfg.get('param_scheduler'))):
        checker.component(sched, R.PARAM_SCHEDULERS, f'param_scheduler[{i}]',
                          injected=['optimizer', 'convert_to_iter_based'])
    for path, hook in _hooks(cfg):
        _check_hook(checker, hook, path)
    _check_loop(checker, cfg.get('train_cfg'))
    if isinstance(loader, dict) and 'batch_size' in loader:
        checker.positive_int(loader['batch_size'],
                             'train_dataloader.batch_size')
    if problems:
        raise ConfigError(problems)
