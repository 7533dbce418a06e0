"""Text helpers shared by the stages (sentences, embeddings); no stage logic lives here."""
