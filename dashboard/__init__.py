"""The Streamlit app over kpi: pages in Chinese, charts as plain functions, loaders cached by content."""
