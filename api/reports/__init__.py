"""Reports (报告): the self-assessment, review and certificate reports as PDF and XLSX."""
