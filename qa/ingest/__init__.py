"""Turn a user's files (PDF, DOCX, HTML, text, Markdown) into document text with sections and pages."""
