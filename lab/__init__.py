"""lab: settle claims about TensorFlow variables with evidence from graph and eager twins."""

__version__ = "0.1.0"
