"""案件 section: the case list (filters, lazy paging, sorting) and the case detail."""
