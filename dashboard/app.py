"""Entry point: ``streamlit run dashboard/app.py``. A router: sources, filters, navigation."""

import sys
from pathlib import Path

# `streamlit run` puts only this folder on sys.path; the project's packages live one level up.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

import streamlit as st  # noqa: E402

from analysis.results import SmallSampleWarning  # noqa: E402
from dashboard import context  # noqa: E402

# Small samples are flagged on screen, beside the number they concern; not in the server log.
warnings.filterwarnings("ignore", category=SmallSampleWarning)

st.set_page_config(page_title="Loyalty Lens", page_icon=":material/insights:", layout="wide")

navigation = st.navigation(
    {
        "Loyalty": [
            st.Page(
                "../pages/overview.py", title="Overview", icon=":material/dashboard:", default=True
            ),
            st.Page("../pages/loyalty.py", title="Loyalty", icon=":material/favorite:"),
            st.Page(
                "../pages/service_quality.py", title="Service quality", icon=":material/speed:"
            ),
            st.Page(
                "../pages/complaint_themes.py", title="Complaint themes", icon=":material/topic:"
            ),
            st.Page("../pages/drivers.py", title="Drivers", icon=":material/troubleshoot:"),
            st.Page(
                "../pages/retention.py",
                title="Retention & churn",
                icon=":material/group_remove:",
            ),
        ],
        "Committee": [
            st.Page(
                "../pages/client_committee.py", title="Client committee", icon=":material/groups:"
            ),
            st.Page("../pages/follow_up.py", title="Follow-up", icon=":material/call:"),
        ],
        "Data": [
            st.Page("../pages/data_sources.py", title="Data sources", icon=":material/database:"),
            st.Page("../pages/uploads.py", title="Upload exports", icon=":material/upload_file:"),
        ],
    }
)
context.prepare()
navigation.run()
