"""The models: text in, typed annotations out. Nothing here touches the database."""
