"""Benchmark problems: `tasks/` folders loaded (`load`), validated (`validate`) and measured
(`difficulty`)."""
