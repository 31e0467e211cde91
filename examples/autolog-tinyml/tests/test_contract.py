"""The plugin's own suite: autolog's shared contract, inherited in a few lines."""

import numpy as np

from autolog.testing import IntegrationContract

XS = [0.0, 0.5, 1.0, 1.5, 2.0]
YS = [1.0, 2.0, 3.0, 4.0, 5.0]


class TestTinyMLContract(IntegrationContract):
    framework = "tinyml"
    flavor = "autolog_tinyml.flavor"
    train_script = """
        import tinyml
        tinyml.train([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], epochs=3)
    """

    def train(self):
        import tinyml

        return tinyml.train(XS, YS, epochs=10)

    def predict(self, model):
        return np.array(model.predict(XS))

    def train_raising(self, error):
        import tinyml

        def stop(epoch, loss):
            raise error

        return tinyml.train(XS, YS, epochs=3, callback=stop)
