"""np.shares_memory / np.may_share_memory on views made by random basic indices."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import npaccel
from tests.differential._differential import differential

COVERED = {"numpy.shares_memory", "numpy.may_share_memory"}

_slices = st.builds(slice, st.sampled_from([None, 0, 1, -2, 5]),
                    st.sampled_from([None, 2, -1, 4]), st.sampled_from([None, 1, 2, -1, -3]))
_views = st.sampled_from([lambda a: a, lambda a: a.T, lambda a: a.reshape(-1),
                          lambda a: np.diagonal(a), lambda a: np.flip(a, 0)])


@differential
@given(st.tuples(_views, _slices, _slices), st.tuples(_views, _slices, _slices))
def test_overlap_of_views_like_numpy(first, second):
    base_np = np.arange(20.0).reshape(4, 5)
    base_x = npaccel.array(base_np)

    def make(spec, a):
        view, rows, cols = spec
        v = view(a)
        return v[rows] if v.ndim == 1 else v[rows, cols]
    for func in (np.shares_memory, np.may_share_memory):
        assert func(make(first, base_x), make(second, base_x)) == \
            func(make(first, base_np), make(second, base_np)), func.__name__
