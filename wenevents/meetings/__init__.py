"""Meeting series and their editions: the public home, meeting and editions pages."""
