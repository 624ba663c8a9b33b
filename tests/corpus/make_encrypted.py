"""Save lo_title.xlsx again with a password (1234): as .xls through LibreOffice's UNO API, and as an
encrypted .xlsx (an OLE file holding EncryptionInfo, as Excel writes it) with msoffcrypto-tool,
because LibreOffice 7.4's OOXML filter ignored the password.

    /usr/bin/python3 tests/corpus/make_encrypted.py    # needs python3-uno; see make_corpus.py
    python -m venv /tmp/mso && /tmp/mso/bin/pip install msoffcrypto-tool && /tmp/mso/bin/python -c \
      "from msoffcrypto.format.ooxml import OOXMLFile; \
       OOXMLFile(open('tests/corpus/lo_title.xlsx','rb')).encrypt('1234', open('tests/corpus/lo_password.xlsx','wb'))"
"""

import subprocess
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue

HERE = Path(__file__).resolve().parent
PIPE = "kpi_corpus"


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main():
    office = subprocess.Popen(["soffice", "--headless", "--invisible", f"--accept=pipe,name={PIPE};urp;"])
    try:
        resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext()
        )
        for _ in range(60):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={PIPE};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - office still starting
                time.sleep(0.5)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        source = uno.systemPathToFileUrl(str(HERE / "lo_title.xlsx"))
        doc = desktop.loadComponentFromURL(source, "_blank", 0, (prop("Hidden", True),))
        for name, flt in (("lo_password.xls", "MS Excel 97"),):
            target = uno.systemPathToFileUrl(str(HERE / name))
            doc.storeToURL(target, (prop("FilterName", flt), prop("Password", "1234")))
        doc.close(True)
        desktop.terminate()
    finally:
        office.wait(timeout=30) if office.poll() is None else None


if __name__ == "__main__":
    main()
