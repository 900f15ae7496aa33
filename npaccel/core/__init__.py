"""The tracing core: avals, primitives, traces and tracers, the jaxpr IR, pytrees."""
from npaccel.core import dtypes
from npaccel.core.aval import ShapedArray, aval_of_value, canonical_value
from npaccel.core.jaxpr import (ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var, eval_jaxpr,
                                jaxpr_as_fun, pp_jaxpr)
from npaccel.core.trace import (ConcretizationError, MainTrace, Primitive, Trace, Tracer,
                                UnexpectedTracerError, abstract_eval, abstract_eval_rules, bind,
                                concrete_or_error, find_top_trace, full_lower, full_raise, get_aval,
                                new_dynamic, new_main, pytype_aval_mappings, set_eval_trace)
