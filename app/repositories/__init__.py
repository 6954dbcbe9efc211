"""Every SELECT, INSERT, UPDATE and DELETE lives here. Repositories flush; they never commit."""
