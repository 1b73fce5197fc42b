"""Read Huawei Cloud "Error Codes" pages (plain text, HTML, RST) into rows."""
