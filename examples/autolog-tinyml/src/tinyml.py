"""tinyml: a toy framework, the thing the example plugin autologs. Fits y = w * x + b by gradient descent."""

__version__ = "0.1.0"


class LinearModel:
    """A fitted line: ``predict(xs)`` returns w * x + b for each x."""

    def __init__(self, weight=0.0, bias=0.0):
        self.weight, self.bias = weight, bias

    def predict(self, xs):
        return [self.weight * float(x) + self.bias for x in xs]


def train(xs, ys, epochs=20, learning_rate=0.1, callback=None):
    """Fit a LinearModel; ``callback(epoch, loss)`` is called after every epoch (it may raise to stop)."""
    model = LinearModel()
    count = len(xs)
    for epoch in range(epochs):
        errors = [model.weight * x + model.bias - y for x, y in zip(xs, ys)]
        model.weight -= learning_rate * 2 * sum(e * x for e, x in zip(errors, xs)) / count
        model.bias -= learning_rate * 2 * sum(errors) / count
        if callback is not None:
            callback(epoch, sum(e * e for e in errors) / count)
    return model
