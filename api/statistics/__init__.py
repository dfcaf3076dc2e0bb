"""Statistics (统计): figures by region and industry, the region risk ranking, overdue lists."""
