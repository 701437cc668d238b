"""chainrule's exceptions. The native module raises these classes with the
library's messages, word for word."""


class ChainruleError(Exception):
    """Base of every error chainrule raises."""


class InputError(ChainruleError, ValueError):
    """Bad input: data, formula, settings, program or model file."""


class TrainingError(ChainruleError, ArithmeticError):
    """Gradient descent failed: it diverged, or J became non-finite."""


for _cls in (ChainruleError, InputError, TrainingError):
    _cls.__module__ = "chainrule"
