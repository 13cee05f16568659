"""sm-spaces: Amazon SageMaker Studio spaces from a terminal."""

__version__ = "0.1.0"
