"""An example autolog plugin for ``tinyml``, a toy framework shipped beside it (see docs/plugins.md)."""
