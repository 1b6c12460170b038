"""Inspect entry point: importing this registers our tasks, sandbox and model APIs.

Inspect imports every `inspect_ai` entry point at the start of each eval, so keep this
module light (no heavy optional imports at module level).
"""
