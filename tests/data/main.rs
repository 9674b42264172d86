//! Data and front ends: emotion data-set layouts, WAV reading, MFCC and prosody, face frames (LoG),
//! landmarks, BVH motion capture, feature files and speaker normalisation.
//!
//! One test binary: each file under `tests/data/` is a module of it.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/fuzz.rs"]
mod fuzz;

mod audio;
mod audio_spec;
mod bvh;
mod bvh_bom;
mod bvh_channels;
mod bvh_wav_edge_formats;
mod coded_subfolder;
mod digits_loader;
mod emotion_checks;
mod emotion_layouts;
mod emotion_links;
mod emotion_modalities;
mod export_speakers;
mod feature_csv;
mod feature_npy;
mod feature_reference;
mod frame_sizes;
mod fuzz_harness;
mod fuzz_images;
mod fuzz_text_formats;
mod fuzz_wav;
mod group_large_values;
mod hidden_frames;
mod hidden_graph_files;
mod landmark_fields;
mod landmark_header;
mod landmark_npy;
mod landmark_utf8;
mod layout_empty;
mod loader_bom;
mod log_limits;
mod macosx_folders;
mod mel_filters;
mod mfcc_config;
mod mfcc_silence;
mod mfcc_steps;
mod pitch_range;
mod prosody;
mod prosody_windows;
mod ravdess_actor_folders;
mod ravdess_codes;
mod ravdess_zip_folders;
mod speaker_norm;
mod speaker_norm_width;
mod split_inputs;
mod truncated_jpeg;
mod video;
mod video_links;
mod wav_byte_rate;
mod wav_chunks;
mod wav_formats;
mod wav_partial_frames;
