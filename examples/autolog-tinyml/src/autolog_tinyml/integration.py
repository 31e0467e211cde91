"""Autologging for tinyml: ``tinyml.train`` logs its params, the loss of every epoch and the model."""

import inspect

from autolog._integration import Integration
from autolog._patching import Hook
from autolog.integrations import _common


class _TrainHook(Hook):
    """Params before training, a loss callback during it, the model after it."""

    def before(self, call, instance, args, kwargs):
        import tinyml

        bound = inspect.signature(tinyml.train.__wrapped__).bind(*args, **kwargs)
        bound.apply_defaults()
        params = {name: value for name, value in bound.arguments.items() if name in ("epochs", "learning_rate")}
        _common.log_params_and_tags(call, params, {})
        metrics = _common.IterationMetrics(call)  # exception-safe: a failure is recorded, never raised
        user_callback = bound.arguments["callback"]

        def log_loss(epoch, loss):
            metrics.log({"loss": loss}, step=epoch)
            if user_callback is not None:
                user_callback(epoch, loss)

        bound.arguments["callback"] = log_loss
        return bound.args, bound.kwargs

    def after(self, call, instance, args, kwargs, result):
        with call.guard("logging the model"):
            _common.log_model(call, "autolog_tinyml.flavor", result)


class TinyMLIntegration(Integration):
    """The integration object autolog finds by entry point."""

    name = "tinyml"
    module = "tinyml"
    supported_versions = ">=0.1, <1"

    def targets(self, framework):
        return [(framework, "train", _TrainHook())]


INTEGRATION = TinyMLIntegration()
