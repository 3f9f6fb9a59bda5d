"""From an executed notebook to documents: rich outputs, chart images, HTML, Word, PDF and spreadsheets."""
