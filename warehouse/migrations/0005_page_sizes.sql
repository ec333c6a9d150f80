-- Migration 5: `documents.page_sizes` keeps each PDF page's size (width, height in PDF points, page 1
-- first, as pdfplumber gives them), so a rule's `bbox` can be checked against its page and drawn over
-- the page's image. NULL for web pages and text.
--
-- PDFs loaded before have no sizes, so their extraction signature is cleared: the next build that
-- sees a PDF parses it again (its rule ids stay the same).

ALTER TABLE documents ADD COLUMN IF NOT EXISTS page_sizes STRUCT(width DOUBLE, height DOUBLE)[];

UPDATE documents SET extract_sig = 'schema-4' WHERE media_type = 'pdf' AND extract_sig <> 'schema-4';
