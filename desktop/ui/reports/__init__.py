"""统计: the monthly figures, the year's chart and the exports."""
