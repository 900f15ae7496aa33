"""`numpy.random` as accelerated code sees it: NumPy's generators, unchanged, so a seed
gives NumPy's numbers; only the arrays they return are npaccel arrays.

`Generator` and `RandomState` are subclasses of NumPy's (isinstance checks hold and the
bit generator is NumPy's own), whose public methods return device arrays. Shuffling an
npaccel array in place runs NumPy's shuffle on a host copy and writes it back, the same
permutation NumPy would apply.
"""
from __future__ import annotations

import numpy as np

from npaccel.activation.proxy import ProxyModule, to_device
from npaccel.dispatch.ndarray import ndarray


def _shuffle(shuffle, self, x, *args, **kwargs):
    if not isinstance(x, ndarray):
        return shuffle(self, x, *args, **kwargs)
    host = np.array(x)
    shuffle(self, host, *args, **kwargs)
    x[...] = host
    return None


def _device_method(method, name: str):
    def call(self, *args, **kwargs):
        if name == "shuffle":
            return _shuffle(method, self, *args, **kwargs)
        return to_device(method(self, *args, **kwargs), keep=args + tuple(kwargs.values()))
    call.__name__, call.__qualname__, call.__doc__ = name, name, method.__doc__
    return call


def _device_methods(base: type) -> dict:
    return {name: _device_method(getattr(base, name), name) for name in dir(base)
            if not name.startswith("_") and callable(getattr(base, name))
            and not isinstance(getattr(base, name), type)}


Generator = type("Generator", (np.random.Generator,), {
    **_device_methods(np.random.Generator), "__module__": "numpy.random",
    "__doc__": np.random.Generator.__doc__})
RandomState = type("RandomState", (np.random.RandomState,), {
    **_device_methods(np.random.RandomState), "__module__": "numpy.random",
    "__doc__": np.random.RandomState.__doc__})


class _DefaultRng:
    """`default_rng(seed)`: NumPy's seeding, our Generator around NumPy's bit generator."""

    __name__ = "default_rng"
    __doc__ = np.random.default_rng.__doc__

    def __call__(self, seed=None) -> Generator:
        if isinstance(seed, Generator):
            return seed
        if isinstance(seed, np.random.Generator):
            return Generator(seed.bit_generator)
        return Generator(np.random.default_rng(seed).bit_generator)


class _GlobalShuffle:
    """`np.random.shuffle`/`permutation` on the global RandomState, as NumPy's."""

    def __init__(self, name: str):
        self.__name__ = name

    def __call__(self, x, *args, **kwargs):
        state = np.random.mtrand._rand
        method = getattr(np.random.RandomState, self.__name__)
        if self.__name__ == "shuffle":
            return _shuffle(method, state, x, *args, **kwargs)
        return to_device(method(state, x, *args, **kwargs))


def proxy_module() -> ProxyModule:
    return ProxyModule(np.random, {
        "Generator": Generator, "RandomState": RandomState, "default_rng": _DefaultRng(),
        "shuffle": _GlobalShuffle("shuffle"), "permutation": _GlobalShuffle("permutation")})

