"""Pure statistics of plain numbers: the difference of two proportions (`difference`) and
survival with censoring (`survival`). Used by the eval's metrics, the report and the studies."""
